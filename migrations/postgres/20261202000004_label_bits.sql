-- Every per-item result also as bits (domain::labels::LabelBits): paired tests, the comparison
-- of every model with the safest, item consensus and judge agreement count bits instead of
-- joining millions of item rows. Derived from item_labels in the same transaction; NULL for
-- aggregate-only results (and filled at start for rows written before this column existed).
ALTER TABLE submissions ADD COLUMN label_bits BYTEA;
