"""The studio's pages, one module per page."""
