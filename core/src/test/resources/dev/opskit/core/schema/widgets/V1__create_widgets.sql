-- Unqualified names: the installer runs this with search_path set to the target schema.
CREATE TABLE widgets (
    id   bigserial PRIMARY KEY,
    name text NOT NULL
);
