"""index customers

Revision ID: sql_03
Revises: sql_02
Create Date: 2026-03-03 14:00:00
"""
from alembic import op

revision = "sql_03"
down_revision = "sql_02"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX ix_customers_name ON customers (name)")
    op.execute("CREATE UNIQUE INDEX ux_customers_email ON customers (email)")


def downgrade():
    op.execute("DROP INDEX ux_customers_email")
    op.execute("DROP INDEX ix_customers_name")
