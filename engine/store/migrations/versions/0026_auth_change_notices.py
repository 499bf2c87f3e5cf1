"""Notices when tokens, users or group memberships change (PostgreSQL)

Revision ID: 0026_auth_change_notices
Revises: 0025_inbox_unit_branches

Each web process may keep the users of the bearer tokens it has seen for a few seconds
(office/people/tokens.py, `TokenCache`), and must drop them the moment a token is revoked, a user
deactivated or a membership changed, whichever process or tool made the change. Statement triggers
on api_token, app_user and user_group send a notice on the `xinfang_auth` channel, which every
process listens to (engine/store/notices.py). A token's last use (`last_used_at`) is not a change
worth a notice. SQLite has no notices: its processes read the token every time.
"""
from alembic import op

revision = "0026_auth_change_notices"
down_revision = "0025_inbox_unit_branches"
branch_labels = None
depends_on = None

CHANNEL = "xinfang_auth"
TRIGGERS = {    # table: the change that sends a notice
    "api_token": "INSERT OR DELETE OR UPDATE OF username, token_hash, revoked",
    "app_user": "INSERT OR DELETE OR UPDATE",
    "user_group": "INSERT OR DELETE OR UPDATE",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE OR REPLACE FUNCTION xinfang_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END $$""")
    for table, change in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {table}_auth_changed AFTER {change} ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION xinfang_auth_changed()")
        op.execute(f"CREATE TRIGGER {table}_auth_truncated AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION xinfang_auth_changed()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_auth_truncated ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_auth_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS xinfang_auth_changed()")
