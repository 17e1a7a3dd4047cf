-- The administrators' lists (GET /admin/v1/users, /sessions, /devices) page by keyset: each page
-- continues after the last row of the previous one in a fixed order that ends with the primary
-- key. These indexes hold exactly those orders, so a page is an index scan of `limit` rows
-- however many people, sessions or devices there are — with or without the common filters.
CREATE INDEX users_list_name ON users ((lower(coalesce(name, ''))), id);

-- Sessions, newest first; per person and per app; and the ones not ended (active, locked,
-- expired), which are what a console mostly asks for.
CREATE INDEX sessions_list ON sessions (created_at, id);
CREATE INDEX sessions_list_user ON sessions (user_id, created_at, id);
CREATE INDEX sessions_list_client ON sessions (client_id, created_at, id);
CREATE INDEX sessions_list_open ON sessions (created_at, id) WHERE revoked_at IS NULL;

-- Devices, most recently seen first; per app.
CREATE INDEX devices_list ON devices (last_seen_at, id);
CREATE INDEX devices_list_client ON devices (client_id, last_seen_at, id);
