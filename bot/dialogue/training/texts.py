"""The engine's texts about training sessions and the NPS question, in pt and en."""

from __future__ import annotations

TRAINING_TEXTS: dict[str, dict[str, str]] = {
    "training_unavailable": {
        "pt": "O agendamento pelo chat não está disponível agora; nossa equipe vai combinar o "
        "treinamento com você.",
        "en": "Scheduling through the chat is not available right now; our team will arrange "
        "the training with you.",
    },
    "training_offer": {
        "pt": "Estes são os próximos horários livres para o treinamento. Escolha um (ou me "
        'diga o dia e a hora que prefere, por exemplo "quinta às 14h"):',
        "en": "These are the next free training sessions. Pick one (or tell me the day and "
        'time you prefer, e.g. "Thursday 2pm"):',
    },
    "training_offer_near": {
        "pt": "Não tenho sessão livre em {requested}; os horários mais próximos são:",
        "en": "There is no free session on {requested}; the nearest ones are:",
    },
    "training_offer_day": {
        "pt": "Para {day} tenho estes horários livres. Qual prefere?",
        "en": "For {day} I have these free sessions. Which one suits you?",
    },
    "training_offer_day_none": {
        "pt": "Para {day} não tenho horário livre.",
        "en": "There is no free session for {day}.",
    },
    "training_offer_nearest": {
        "pt": "Os horários mais próximos são:",
        "en": "The nearest sessions are:",
    },
    "training_confirm_slot": {
        "pt": "Tenho {when} livre. Posso reservar para vocês?",
        "en": "{when} is free. Shall I book it for you?",
    },
    "training_other_time": {"pt": "Outro horário", "en": "Another time"},
    "training_ask_when": {
        "pt": 'Qual dia e horário ficam melhor? Por exemplo: "amanhã às 14h" ou "quinta de manhã".',
        "en": 'Which day and time suit you? For example: "tomorrow at 2pm" or "Thursday morning".',
    },
    "training_none_free": {
        "pt": "Não há horários livres de treinamento nas próximas semanas. Avisei a equipe, "
        "que vai te oferecer um horário por aqui.",
        "en": "There are no free training sessions in the coming weeks. I told our team; they "
        "will offer you a time here.",
    },
    "training_seat_taken": {
        "pt": "Poxa, esse horário acabou de ser preenchido por outro cliente. 😕",
        "en": "Sorry, another client just took that session. 😕",
    },
    "training_booked": {
        "pt": "Treinamento agendado: {when} (até {ends}). ✅\nLink da reunião: {link}\n"
        "O convite para a sua agenda vai em anexo. Envio um lembrete na véspera e 1 hora antes.",
        "en": "Training booked: {when} (until {ends}). ✅\nMeeting link: {link}\n"
        "The calendar invite is attached. I'll remind you the day before and 1 hour before.",
    },
    "training_rebooked": {
        "pt": "Pronto, treinamento remarcado para {when} (até {ends}). ✅\nLink da reunião: "
        "{link}\nO convite atualizado vai em anexo.",
        "en": "Done, training moved to {when} (until {ends}). ✅\nMeeting link: {link}\n"
        "The updated invite is attached.",
    },
    "training_already": {
        "pt": "Vocês já têm treinamento agendado: {when}. Quer remarcar ou cancelar?",
        "en": "You already have a training session booked: {when}. Do you want to reschedule "
        "or cancel it?",
    },
    "training_reschedule_option": {"pt": "Remarcar", "en": "Reschedule"},
    "training_cancel_option": {"pt": "Cancelar", "en": "Cancel"},
    "training_keep_option": {"pt": "Manter", "en": "Keep it"},
    "training_kept": {
        "pt": "Combinado, fica mantido: {when}.",
        "en": "All right, it stays: {when}.",
    },
    "training_nothing_booked": {
        "pt": 'Vocês não têm treinamento agendado. Quer agendar? É só dizer "agendar treinamento".',
        "en": 'You have no training booked. Want to book one? Just say "schedule training".',
    },
    "training_confirm_cancel": {
        "pt": "Cancelar o treinamento de {when}?",
        "en": "Cancel the training on {when}?",
    },
    "training_cancelled": {
        "pt": "Treinamento cancelado. O cancelamento para a sua agenda vai em anexo. Quando "
        'quiser marcar outro horário, é só dizer "agendar treinamento".',
        "en": "Training cancelled. The calendar cancellation is attached. When you want another "
        'time, just say "schedule training".',
    },
    "training_cancel_too_late": {
        "pt": "Esse treinamento já começou e não pode mais ser cancelado por aqui. Se precisar, "
        "chame uma pessoa da equipe (HUMANO).",
        "en": "That session has already started and can't be cancelled here. If you need to, "
        "call a person from our team (HUMAN).",
    },
    "training_not_cancelled": {
        "pt": "Ok, o treinamento continua agendado: {when}.",
        "en": "OK, the training stays booked: {when}.",
    },
    "nps_thanks_ask_comment": {
        "pt": "Obrigada pela nota {score}! Quer deixar um comentário sobre o treinamento? "
        '(ou responda "não")',
        "en": "Thanks for the {score}! Would you like to leave a comment about the training? "
        '(or answer "no")',
    },
    "nps_thanks": {
        "pt": "Muito obrigada pelo retorno! 💙",
        "en": "Thank you very much for the feedback! 💙",
    },
    "reminder_training_24h": {
        "pt": "Lembrete: o treinamento de vocês está marcado para {when}. Link da reunião: "
        '{link}\nSe precisar remarcar, é só dizer "remarcar treinamento".',
        "en": "Reminder: your training is booked for {when}. Meeting link: {link}\nIf you "
        'need to move it, just say "reschedule training".',
    },
    "reminder_training_1h": {
        "pt": "Seu treinamento começa daqui a 1 hora ({when}). Link da reunião: {link}",
        "en": "Your training starts in 1 hour ({when}). Meeting link: {link}",
    },
    "reminder_nps_request": {
        "pt": "Como foi o treinamento? De 0 a 10, o quanto você recomendaria a nossa implantação "
        "a um colega? Responda só com o número.",
        "en": "How was the training? From 0 to 10, how likely are you to recommend our "
        "onboarding to a colleague? Just reply with the number.",
    },
    "reminder_nudge": {
        "pt": "Oi! 👋 Seu cadastro ficou parado no meio do caminho. Vamos continuar de onde "
        "paramos?",
        "en": "Hi! 👋 Your registration stopped halfway. Shall we continue where we left off?",
    },
}
