"""Archive: files the document every step of every service produces (plans, reports,
confirmations, records, follow-up records, equipment and operation registers) under a category and a
stable, readable code, with its SHA-256, and lets people find them. Documents are immutable; a
correction is a new version under the same code."""
