"""The booking domain: entities, value objects and policies, with no framework in sight."""
