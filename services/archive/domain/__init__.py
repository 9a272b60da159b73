"""Archive rules: categories, document codes, canonical content and its checksum."""
