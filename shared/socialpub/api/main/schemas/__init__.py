"""Request and response models per resource group (the HTTP contract; domain models stay separate)."""
