"""drop accounts.legacy_code

Revision ID: batch_02
Revises: batch_01
Create Date: 2026-02-02 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "batch_02"
down_revision = "batch_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("legacy_code")


def downgrade():
    # Back in its old place: insert_after needs the table recreated (a plain ALTER appends).
    with op.batch_alter_table("accounts", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("legacy_code", sa.Integer(), nullable=True), insert_after="nickname")
