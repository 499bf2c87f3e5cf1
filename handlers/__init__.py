"""Task handlers for BPMN service tasks, registered by name (see registry.py)."""
from .registry import handler, get_handler, registered_names, load_all

__all__ = ["handler", "get_handler", "registered_names", "load_all"]
