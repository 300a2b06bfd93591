"""audit table and trigger

Revision ID: sql_05
Revises: sql_04
Create Date: 2026-03-05 14:00:00
"""
from alembic import op

revision = "sql_05"
down_revision = "sql_04"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            customer_id INTEGER,
            action VARCHAR(10) NOT NULL,
            happened_at TIMESTAMP DEFAULT (datetime('now'))
        )
        """
    )
    op.execute(
        """
        CREATE TRIGGER trg_customers_audit AFTER UPDATE ON customers
        BEGIN
            INSERT INTO audit (customer_id, action) VALUES (NEW.id, 'update');
        END
        """
    )


def downgrade():
    op.execute("DROP TRIGGER trg_customers_audit")
    op.execute("DROP TABLE audit")
