from services.notify.db.tables import metadata
from shared.persistence.migrations import run_migrations_for

run_migrations_for(metadata)
