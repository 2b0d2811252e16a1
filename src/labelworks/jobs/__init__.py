"""Background jobs on huey: SqliteHuey in-process by default, RedisHuey with `labelworks worker`."""
