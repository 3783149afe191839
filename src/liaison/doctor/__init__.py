"""``liaison doctor``: checks what an operator gets wrong, and says what to do."""
