"""The Flask web layer: a thin shell over office.cases.service."""
from .app import create_app

__all__ = ["create_app"]
