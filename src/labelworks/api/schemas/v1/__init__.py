"""Wire models, a family per resource: XCreate / XUpdate / XPublic / XPage."""
