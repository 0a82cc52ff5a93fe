"""Two ready-made screening templates a new client (and the demo) starts from. Each structured-
interview competency has its questions and a behaviourally anchored 1–5 scale: what an answer at
that level sounds like, so two interviewers rate the same answer the same way."""

from decimal import Decimal

BACKEND_ENGINEER = {
    "name": "Backend engineer",
    "role_title": "Backend engineer",
    "methods": [
        {"method": "structured_interview", "weight": 0.35},
        {"method": "work_sample", "weight": 0.35},
        {"method": "cognitive", "weight": 0.15},
        {"method": "job_knowledge", "weight": 0.15},
    ],
    "pass_threshold": Decimal("65"),
    "min_cefr": {"reading": "B2", "writing": "B1", "listening": "B1", "speaking": "B1"},
    "interview_kit": [
        {
            "competency": "System design",
            "questions": [
                "Walk me through a service you designed that had to handle a sudden 10× load. What broke first?",
                "How would you design an idempotent payment-webhook receiver?",
            ],
            "anchors": {
                "1": "Cannot describe a design beyond naming technologies; no notion of failure modes.",
                "2": "Describes a working design but ignores load, failure or data consistency when asked.",
                "3": "Sound design; identifies the main bottleneck and one failure mode with a reasonable fix.",
                "4": "Weighs trade-offs explicitly (consistency vs latency, cost); plans for retries and idempotency.",
                "5": "Designs for observability and graceful degradation; quantifies capacity; names what they "
                "would not build and why.",
            },
        },
        {
            "competency": "Debugging and ownership",
            "questions": [
                "Tell me about the hardest production incident you handled. What did you do, step by step?",
                "What did you change afterwards so it could not happen again?",
            ],
            "anchors": {
                "1": "No concrete incident, or blames others; no steps described.",
                "2": "Describes an incident but the steps were trial and error; no follow-up.",
                "3": "Forms hypotheses and checks them with logs or metrics; fixes the cause, not only the symptom.",
                "4": "Communicates status while debugging; writes a post-mortem and adds a test or alert.",
                "5": "Leads the incident calmly, narrows it down systematically, and drives a systemic fix "
                "other teams adopt.",
            },
        },
        {
            "competency": "Collaboration across time zones",
            "questions": [
                "Describe a time you unblocked yourself when the person you needed was asleep.",
                "How do you hand work over at the end of your day?",
            ],
            "anchors": {
                "1": "Waits to be told what to do; no written hand-over.",
                "2": "Asks for help late; hand-overs are verbal or incomplete.",
                "3": "Writes clear async updates; finds documented answers before asking.",
                "4": "Anticipates blockers and asks early; hand-over notes let others continue without a call.",
                "5": "Improves the team's async practices (templates, docs) and others rely on their notes.",
            },
        },
    ],
}

CUSTOMER_SUPPORT_EN = {
    "name": "Customer-support specialist (English)",
    "role_title": "Customer-support specialist",
    "methods": [
        {"method": "structured_interview", "weight": 0.4},
        {"method": "work_sample", "weight": 0.4},
        {"method": "cognitive", "weight": 0.2},
    ],
    "pass_threshold": Decimal("60"),
    "min_cefr": {"speaking": "B2", "listening": "B2", "writing": "B2", "reading": "B1"},
    "interview_kit": [
        {
            "competency": "De-escalating an upset customer",
            "questions": [
                "Tell me about a customer who was angry with you. What exactly did you say?",
                "A customer threatens to cancel because of a bug we cannot fix this week. What do you do?",
            ],
            "anchors": {
                "1": "Argues with the customer or escalates immediately without trying.",
                "2": "Apologises but offers no path forward; the customer is left waiting.",
                "3": "Acknowledges the feeling, restates the problem and offers a concrete next step.",
                "4": "Sets honest expectations, offers a workaround and follows up without being asked.",
                "5": "Turns the situation around; the customer stays, and the case improves the team's playbook.",
            },
        },
        {
            "competency": "Clear written communication",
            "questions": [
                "Here is a confusing customer email (shown on screen). Talk me through your reply.",
                "How do you explain a technical limitation to a non-technical customer?",
            ],
            "anchors": {
                "1": "Replies are unclear or contain errors that change the meaning.",
                "2": "Understandable but long-winded or full of jargon.",
                "3": "Clear, polite and correct; answers the question asked.",
                "4": "Anticipates the follow-up question and answers it; adapts tone to the customer.",
                "5": "Concise and warm; reusable as a macro; catches what the customer did not say.",
            },
        },
        {
            "competency": "Reliability and process",
            "questions": [
                "How do you keep track of cases you promised to follow up on?",
                "Tell me about a time you noticed a pattern in tickets. What did you do with it?",
            ],
            "anchors": {
                "1": "No system; relies on memory; missed follow-ups in past roles.",
                "2": "Uses the ticket tool but follow-ups slip when busy.",
                "3": "Consistent follow-up system; meets response-time targets.",
                "4": "Spots recurring issues and reports them with examples.",
                "5": "Owns recurring issues end to end with product; reduces ticket volume measurably.",
            },
        },
    ],
}

DEFAULT_TEMPLATES = (BACKEND_ENGINEER, CUSTOMER_SUPPORT_EN)
