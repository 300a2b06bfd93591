"""orders and the customer_totals view

Revision ID: sql_04
Revises: sql_03
Create Date: 2026-03-04 14:00:00
"""
from alembic import op

revision = "sql_04"
down_revision = "sql_03"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE orders (
            id INTEGER NOT NULL PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
            total NUMERIC(10, 2) NOT NULL DEFAULT 0,
            placed_at DATETIME,
            CONSTRAINT ck_orders_total CHECK (total >= 0)
        )
        """
    )
    op.execute("CREATE INDEX ix_orders_customer_id ON orders (customer_id)")
    op.execute(
        """
        CREATE VIEW customer_totals AS
        SELECT c.id AS customer_id, c.name, SUM(o.total) AS total
        FROM customers c JOIN orders o ON o.customer_id = c.id
        GROUP BY c.id, c.name
        """
    )


def downgrade():
    op.execute("DROP VIEW customer_totals")
    op.execute("DROP TABLE orders")
