"""Deployed processes: deploy a bundle, check one without storing it, list what is deployed.
The command line and the demo deploy as the system; the API's `deploy_as` checks the role."""
from __future__ import annotations

from engine.core import Core
from engine.errors import NotAllowed, ValidationFailed
from office.access import EDITORS



class Processes:
    def __init__(self, core: Core):
        self.core = core

    def deploy(self, files: dict[str, bytes | str], *, user: str = "system") -> list[dict]:
        return self.core.deploy(files, user=user)

    def validate(self, files: dict[str, bytes | str]) -> list[dict]:
        """Problems a deploy would report, without storing anything."""
        return self.core.validate(files)

    def list_processes(self) -> list[dict]:
        return self.core.list_processes()

    def deploy_as(self, files: dict, *, user: str) -> list[dict]:
        """Deploying changes how every new case runs: process analysts and administrators only."""
        with self.core.uow(write=False) as uow:
            if not self.core.actor(uow.session, user).groups & EDITORS:
                raise NotAllowed("only a process analyst or an administrator deploys processes")
        if not files:
            raise ValidationFailed("no files to deploy", [{"field": "files", "message": "required"}])
        return self.core.deploy(files, user=user)
