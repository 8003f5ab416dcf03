"""indexes on conversations.onboarding_id and escalations.onboarding_id

The console's board and inbox look up each onboarding's conversation and open escalations;
without an index PostgreSQL scanned the table once per card (171 ms of a manager's board at
5,000 onboardings, bench/console).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversations_onboarding_id", "conversations", ["onboarding_id"])
    op.create_index("ix_escalations_onboarding_id", "escalations", ["onboarding_id"])


def downgrade() -> None:
    op.drop_index("ix_escalations_onboarding_id", table_name="escalations")
    op.drop_index("ix_conversations_onboarding_id", table_name="conversations")
