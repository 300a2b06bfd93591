"""customers, in SQL

Revision ID: sql_01
Revises:
Create Date: 2026-03-01 14:00:00
"""
from alembic import op

revision = "sql_01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            name VARCHAR(100) NOT NULL,
            email TEXT,
            created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            tier INT DEFAULT 1
        )
        """
    )


def downgrade():
    op.execute("DROP TABLE customers")
