"""The service methods the staff web app and the API need beyond the engine core,
mixed into `Services` (engine/services.py) like `UserAdmin`."""
from __future__ import annotations

from .admin_services import AccessLogServices, AdminServices
from .attachments import AttachmentServices
from .casepage import CasePageServices
from .comments import CommentServices
from .inbox_services import InboxServices
from .intake import CaseOpening, IntakeServices
from .jobs import JobServices
from .selfservice import SelfService
from .tokens import TokenServices
from .user_import import UserImportServices


class WebServices(InboxServices, CommentServices, AttachmentServices, CasePageServices, IntakeServices, CaseOpening,
                  SelfService, TokenServices, JobServices, AdminServices, AccessLogServices,
                  UserImportServices):
    """Each base is a small module of its own; they rely on Services' uow(), _actor() and _step()."""


__all__ = ["WebServices"]
