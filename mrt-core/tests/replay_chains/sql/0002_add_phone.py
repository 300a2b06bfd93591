"""customers.phone

Revision ID: sql_02
Revises: sql_01
Create Date: 2026-03-02 14:00:00
"""
from alembic import op

revision = "sql_02"
down_revision = "sql_01"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE customers ADD COLUMN phone VARCHAR(20) DEFAULT 'unknown'")


def downgrade():
    op.execute("ALTER TABLE customers DROP COLUMN phone")
