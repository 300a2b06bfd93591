"""index projects.name (branch b)

Revision ID: br_b1
Revises: br_base
Create Date: 2026-04-02 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "br_b1"
down_revision = "br_base"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_projects_name", "projects", ["name"], unique=True)


def downgrade():
    op.drop_index("ix_projects_name", table_name="projects")
