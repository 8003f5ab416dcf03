"""agreements recorded with the client (issue #17)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("onboarding_id", sa.Integer(), sa.ForeignKey("onboardings.id"), nullable=False),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("what", sa.String(500), nullable=False),
        sa.Column("owed_by", sa.String(10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("closed_by", sa.String(60), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agreements_onboarding_id", "agreements", ["onboarding_id"])
    op.create_index("ix_agreements_client_id", "agreements", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_agreements_client_id", table_name="agreements")
    op.drop_index("ix_agreements_onboarding_id", table_name="agreements")
    op.drop_table("agreements")
