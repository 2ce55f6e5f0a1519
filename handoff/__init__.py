"""Cases handed to a consultation centre: records, routing, callback slots, inbox, stats."""
