"""What each service connects as, created before it first starts: a PostgreSQL role that owns the
service's schema and nothing else, and a RabbitMQ user that may touch only the service's own queues
and the suite's shared exchanges.

`aftercare provision` runs this with administrator connections (`AFTERCARE_PROVISION_*`). The role,
user, password, database and virtual host to create are read from each service's own
`<SERVICE>_DATABASE_URL` and `<SERVICE>_AMQP_URL`: the URL a service connects with is the one statement
of what it connects as. Everything is idempotent and sets the passwords again, so running it after a
change of the env file rotates them.
"""

from shared.provisioning.accounts import ProvisioningError, ProvisioningSettings, ServiceAccess
from shared.provisioning.broker import BrokerPermissions, broker_permissions, provision_broker
from shared.provisioning.database import provision_database

__all__ = [
    "BrokerPermissions",
    "ProvisioningError",
    "ProvisioningSettings",
    "ServiceAccess",
    "broker_permissions",
    "provision_broker",
    "provision_database",
]
