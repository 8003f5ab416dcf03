"""Pydantic DTOs of the back-office API: separate Create / Update / Public models per resource."""
