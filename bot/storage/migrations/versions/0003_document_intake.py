"""document intake queue: documents are queued when the message arrives, read afterwards

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="pending")
        )
        batch.add_column(sa.Column("media_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("media_type", sa.String(100), nullable=True))
        batch.add_column(sa.Column("provider_id", sa.String(200), nullable=True))
        batch.add_column(sa.Column("filename", sa.String(200), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("error", sa.String(500), nullable=True))
        batch.alter_column("mime", existing_type=sa.String(60), nullable=True)
        batch.alter_column("size", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=True)
        batch.create_index("ix_documents_due", ["status", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_due")
        for column in (
            "error",
            "claimed_until",
            "next_attempt_at",
            "attempts",
            "filename",
            "provider_id",
            "media_type",
            "media_url",
            "status",
        ):
            batch.drop_column(column)
