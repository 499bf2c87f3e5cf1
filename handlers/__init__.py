"""Task handlers for BPMN service tasks, registered by name (see registry.py)."""
