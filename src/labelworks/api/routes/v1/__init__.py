"""REST API v1: handlers load, authorize, delegate to one service call, return."""
