"""Information exchange between the parties: cases, messages, entities, attachments."""
