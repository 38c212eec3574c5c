"""Reading a participant's answers: text matching, the vocabulary, allergies, the profile."""
