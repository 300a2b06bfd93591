"""rename audit to audit_log

Revision ID: sql_06
Revises: sql_05
Create Date: 2026-03-06 14:00:00
"""
from alembic import op

revision = "sql_06"
down_revision = "sql_05"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rewrites the trigger body's reference to the table (INSERT INTO "audit_log").
    op.execute("ALTER TABLE audit RENAME TO audit_log")


def downgrade():
    op.execute("ALTER TABLE audit_log RENAME TO audit")
