"""Archive's own schema `archive`: documents and their numbering."""
