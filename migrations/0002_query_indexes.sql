-- Indexes for the API's queries; the dumps ship none beyond the primary keys.

-- /rates filters by lane and day range and reads only `price`: the INCLUDE makes
-- it an index-only scan once the table is vacuumed.
CREATE INDEX IF NOT EXISTS prices_lane_day_idx ON prices (orig_code, dest_code, day) INCLUDE (price);

-- Region expansion walks the tree downwards: children of a region, ports of a region.
CREATE INDEX IF NOT EXISTS regions_parent_slug_idx ON regions (parent_slug);
CREATE INDEX IF NOT EXISTS ports_parent_slug_idx ON ports (parent_slug);
