"""projects.archived (branch b)

Revision ID: br_b2
Revises: br_b1
Create Date: 2026-04-03 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_b2"
down_revision = "br_b1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("projects", sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("projects") as batch_op:
        batch_op.drop_column("archived")
