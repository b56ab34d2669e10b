"""The workbench: ``claimscope serve``, a REST API and pages for reviewing claims with a team."""

from claimscope.web.app import create_app
from claimscope.web.service import ServerConfig, Workbench

__all__ = ["ServerConfig", "Workbench", "create_app"]
