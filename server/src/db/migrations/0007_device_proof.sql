-- What the app said about its device at the authorization request. The device record itself is
-- written only when the code is redeemed with a proof of the key (sessions/devices.ts).
ALTER TABLE sessions ADD COLUMN device_description jsonb;
