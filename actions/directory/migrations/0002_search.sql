-- 0002: what the importer derives from the HSDS tables for fast search, rebuilt in the same
-- transaction as every import (and by `python -m actions.directory reindex`).

-- Facts about the directory: when and from what it was built, the needs map's fingerprint.
CREATE TABLE directory_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT
);

-- One row per place a service can be found (service_at_location), or per service with no
-- physical location (a phone line, a service area). Coordinates are NULL for the latter;
-- approximate = 1 when they come from the address's ZIP code or city, not from the data.
CREATE TABLE search_entry (
    id INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL,
    location_id TEXT,
    service_at_location_id TEXT,
    latitude REAL,
    longitude REAL,
    approximate INTEGER NOT NULL DEFAULT 0,
    need_mask INTEGER NOT NULL,           -- bit i set: answers the i-th need of needs.yml
    min_age REAL,
    max_age REAL,
    gender TEXT,                          -- NULL: anyone; 'female' or 'male': only them
    families INTEGER,                     -- 1 welcome, 0 not taken, NULL unknown
    pets INTEGER,                         -- 1 welcome, 0 not allowed, NULL unknown
    veterans_only INTEGER NOT NULL DEFAULT 0,
    confidential INTEGER NOT NULL DEFAULT 0,
    area_keys TEXT                        -- '|redwood city|san mateo county|94063|' served areas
);
CREATE INDEX search_entry_need ON search_entry (need_mask);
CREATE INDEX search_entry_area ON search_entry (latitude) WHERE latitude IS NULL;

-- Where the entries with coordinates are, once per need they answer, for "what answers this
-- need within r miles": id = entry id * 64 + the need's bit, the third dimension the bit, so
-- the tree itself leaves out the places that answer other needs.
CREATE VIRTUAL TABLE search_box USING rtree (id, min_lat, max_lat, min_lon, max_lon, min_need, max_need);
