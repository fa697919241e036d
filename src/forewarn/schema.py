"""Imports every area's tables so Base.metadata is complete, for migrations and tests."""

from forewarn.alerting import models as alerting_models  # noqa: F401
from forewarn.auth import models as auth_models  # noqa: F401
from forewarn.db.base import Base
from forewarn.incidents import models as incident_models  # noqa: F401
from forewarn.inventory import models as inventory_models  # noqa: F401
from forewarn.monitoring import models as monitoring_models  # noqa: F401
from forewarn.notify import escalation_models  # noqa: F401
from forewarn.notify import models as notify_models  # noqa: F401
from forewarn.remediation import models as remediation_models  # noqa: F401
from forewarn.simulation import models as simulation_models  # noqa: F401

metadata = Base.metadata
