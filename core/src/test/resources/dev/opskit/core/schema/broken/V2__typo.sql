ALTER TABLE gadgets ADD COLUMN size integr;
