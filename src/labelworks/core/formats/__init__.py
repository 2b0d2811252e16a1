"""Readers and writers of the field's formats: pure functions over file objects and iterators."""
