-- A model first named by an upload that nobody has reviewed gets a provisional page address,
-- and only approval gives it the address its name asks for: an unreviewed (perhaps rejected)
-- upload can never take the page, or the slug, of the model it names or imitates.
ALTER TABLE models ADD COLUMN slug_provisional SMALLINT NOT NULL DEFAULT 0 CHECK (slug_provisional IN (0, 1));
