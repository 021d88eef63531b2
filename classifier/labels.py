"""The label set shared by the model, the readers and the web app."""

CATEGORIES = ("profanity", "insult", "hate", "threat", "sexual", "spam")

CATEGORY_NAMES_KO = {
    "profanity": "욕설/비속어",
    "insult": "모욕/비하",
    "hate": "혐오/차별",
    "threat": "위협",
    "sexual": "음란",
    "spam": "광고/도배",
}

HATE_TARGETS = (
    "gender",
    "age",
    "region",
    "race",
    "religion",
    "sexual_orientation",
    "politics",
    "appearance",
    "disability",
    "other",
)
