"""The engine's texts for repairs, waiting for a person, media and status (pt, en); documents' are
in ``texts_documents.py``.

Grammatical pt-BR without "(a)" gender hacks: sentences are built so that no gender is needed,
and document kinds carry their own article (``bot.dialogue.documents.kind_name``)."""

from __future__ import annotations

__all__ = ["REPAIR_TEXTS"]

REPAIR_TEXTS: dict[str, dict[str, str]] = {
    # Answers a question cannot take, and the way out.
    "finish_later": {
        "pt": "Pode, sim! Eu guardo tudo o que você já respondeu. Quando quiser, é só mandar uma "
        "mensagem aqui e continuamos de onde paramos.",
        "en": "Sure! I keep everything you've answered. Whenever you like, just send a message "
        "here and we'll pick up where we left off.",
    },
    "not_an_answer": {
        "pt": "“{said}” não parece ser {label}.",
        "en": "“{said}” doesn't look like {label}.",
    },
    "offer_human": {
        "pt": "Parece que está difícil por aqui. Quer falar com uma pessoa da nossa equipe, ou "
        "prefere tentar de novo?",
        "en": "This seems hard. Would you like to talk to a person on our team, or try again?",
    },
    "offer_human_choices": {
        "pt": "Parece que está difícil por aqui. Quer falar com uma pessoa da nossa equipe, ou "
        "prefere ver as opções de novo?",
        "en": "This seems hard. Would you like to talk to a person on our team, or see the "
        "options again?",
    },
    "offer_human_misunderstood": {
        "pt": "Desculpe, não estou conseguindo entender. Quer falar com uma pessoa da nossa "
        "equipe, ou prefere tentar de novo?",
        "en": "Sorry, I'm not getting it. Would you like to talk to a person on our team, or "
        "try again?",
    },
    "ask_which_area": {
        "pt": "O que você quer corrigir? Escolha a parte do cadastro:",
        "en": "What do you want to fix? Pick the part of the registration:",
    },
    "not_opted_out": {
        "pt": "Suas mensagens já estão ativas. Vamos continuar:",
        "en": "Your messages are already on. Let's go on:",
    },
    "review_again": {
        "pt": "Os dados do cadastro acima estão certos?",
        "en": "Is the registration above correct?",
    },
    # A person.
    "escalated": {
        "pt": "Certo! Avisei a nossa equipe, e uma pessoa vai te responder por aqui. Em "
        "horário comercial, a primeira resposta costuma chegar em até {wait}.",
        "en": "Sure! I've told our team, and a person will answer you here. In business hours "
        "the first answer usually comes within {wait}.",
    },
    "escalated_off_hours": {
        "pt": "Certo! Avisei a nossa equipe. Agora estamos fora do horário de atendimento: uma "
        "pessoa vai te responder por aqui a partir de {opens}.",
        "en": "Sure! I've told our team. We are outside business hours now: a person will "
        "answer you here from {opens}.",
    },
    "human_meanwhile": {
        "pt": "Enquanto isso, podemos seguir com o cadastro:",
        "en": "Meanwhile, we can go on with the registration:",
    },
    "human_taken": {
        "pt": "Seu pedido para falar com uma pessoa está com {name} desde {since}; a resposta "
        "vem por aqui mesmo.",
        "en": "Your request to talk to a person is with {name} since {since}; the answer will "
        "come right here.",
    },
    "human_not_taken": {
        "pt": "Seu pedido para falar com uma pessoa está registrado desde {since}, mas ainda "
        "ninguém da equipe assumiu. {later}",
        "en": "Your request to talk to a person has been registered since {since}, but nobody "
        "on the team has taken it yet. {later}",
    },
    "human_wait": {
        "pt": "Em horário comercial, a primeira resposta costuma chegar em até {wait}.",
        "en": "In business hours the first answer usually comes within {wait}.",
    },
    "human_wait_off_hours": {
        "pt": "Estamos fora do horário de atendimento; a equipe volta {opens}.",
        "en": "We are outside business hours; the team is back {opens}.",
    },
    "human_none_open": {
        "pt": "Não há nenhum pedido aberto para falar com uma pessoa agora. Quer que eu chame "
        "alguém da equipe?",
        "en": "There is no open request to talk to a person right now. Shall I call someone "
        "from the team?",
    },
    # Media that is not a document.
    "unsupported_audio": {
        "pt": "Ainda não consigo ouvir áudios; pode escrever, por favor?",
        "en": "I can't listen to audio yet; could you type it, please?",
    },
    "unsupported_video": {
        "pt": "Ainda não consigo ver vídeos; pode escrever, ou mandar uma foto?",
        "en": "I can't watch videos yet; could you type it, or send a photo?",
    },
    "unsupported_sticker": {"pt": "😄", "en": "😄"},
    "unsupported_location": {
        "pt": "Recebi uma localização, mas ainda não consigo usá-la; pode escrever o endereço?",
        "en": "I got a location, but I can't use it yet; could you type the address?",
    },
    "unsupported_contact": {
        "pt": "Recebi um contato, mas ainda não consigo lê-lo; pode escrever o nome, o e-mail e "
        "o celular?",
        "en": "I got a contact card, but I can't read it yet; could you type the name, e-mail "
        "and mobile?",
    },
    # Status.
    "status_pending": {"pt": "Falta da sua parte:", "en": "Still needed from you:"},
    "status_questions_left": {
        "pt": "Faltam umas {count} perguntas do cadastro (uns {minutes} min).",
        "en": "About {count} registration questions left (around {minutes} min).",
    },
    "status_questions_left_one": {
        "pt": "Do cadastro, só falta conferir os dados.",
        "en": "Of the registration, only the final review is left.",
    },
    "known_client_menu": {
        "pt": "Olá! Sua implantação está na etapa *{stage}*. Como posso ajudar? Responda com o "
        "número:",
        "en": "Hi! Your onboarding is in the *{stage}* stage. How can I help? Answer with the "
        "number:",
    },
    "status_done": {"pt": "Já recebido: {items}.", "en": "Already received: {items}."},
    "erasure_in_progress": {
        "pt": "Seu pedido de exclusão dos dados está registrado. Enquanto ele é analisado, não "
        "vou coletar novos dados. Para falar com uma pessoa, escreva HUMANO.",
        "en": "Your request to erase your data is recorded. While it is reviewed I won't "
        "collect new data. To talk to a person, write HUMAN.",
    },
    "status_start": {"pt": "começar o cadastro", "en": "start the registration"},
    "status_answer": {"pt": "responder: {label}", "en": "answer: {label}"},
    "status_new_value": {
        "pt": "mandar o valor certo de {label}",
        "en": "send the correct {label}",
    },
    "status_human_waiting": {
        "pt": "Seu pedido para falar com uma pessoa está aberto desde {since}; ainda ninguém "
        "da equipe assumiu.",
        "en": "Your request to talk to a person is open since {since}; nobody on the team has "
        "taken it yet.",
    },
    "status_human_taken": {
        "pt": "Seu pedido para falar com uma pessoa está com {name} desde {since}.",
        "en": "Your request to talk to a person is with {name} since {since}.",
    },
    "status_training": {"pt": "Seu treinamento: {when}.", "en": "Your training: {when}."},
    # The client's status page (issue #17): a new link each time it is offered.
    "status_link": {
        "pt": "Acompanhe sua implantação: {url}",
        "en": "Follow your onboarding: {url}",
    },
    "doc_status_confirmed": {"pt": "confirmado ✅", "en": "confirmed ✅"},
    "doc_status_read": {"pt": "lido, falta você confirmar", "en": "read, waiting for your OK"},
    "doc_status_early": {
        "pt": "recebido e lido; vamos confirmar na etapa de documentos",
        "en": "received and read; we'll confirm it at the documents step",
    },
    "doc_status_missing": {"pt": "falta enviar", "en": "not sent yet"},
    "doc_status_received": {"pt": "recebido, estou lendo", "en": "received, being read"},
    "doc_status_reading": {"pt": "recebido, estou lendo", "en": "received, being read"},
    "doc_status_rejected": {
        "pt": "a foto não deu para ler; envie outra",
        "en": "the photo couldn't be read; please send another",
    },
    "doc_status_failed": {
        "pt": "não consegui ler; envie de novo",
        "en": "I couldn't read it; please send it again",
    },
    "nps_ask_comment_again": {
        "pt": "Quer deixar um comentário sobre o treinamento? Se não, responda “não”.",
        "en": "Would you like to leave a comment on the training? If not, answer “no”.",
    },
    # A correction whose value is the one already given: nothing changed, nothing saved.
    "correction_same": {
        "pt": "Já está assim: {label} é {value}. Não mudei nada.",
        "en": "That's already so: {label} is {value}. Nothing changed.",
    },
    "doc_status_unknown": {
        "pt": "vejo assim que ler os arquivos que você mandou",
        "en": "I'll know once I've read the files you sent",
    },
    "status_files_reading_one": {
        "pt": "Recebi 1 arquivo e estou lendo; te digo o que é assim que terminar.",
        "en": "I received 1 file and I'm reading it; I'll tell you what it is once done.",
    },
    "status_files_reading": {
        "pt": "Recebi {count} arquivos e estou lendo; te digo o que são assim que terminar.",
        "en": "I received {count} files and I'm reading them; I'll tell you what they are "
        "once done.",
    },
    "doc_status_skipped": {"pt": "fica para depois", "en": "later"},
    # "qual email eu passei?": the client's own answer read back (this conversation's only).
    "read_back": {
        "pt": "Anotei {label}: *{value}*. Para mudar, é só me mandar o certo, por exemplo: "
        '"corrigir {field}: …".',
        "en": "I have {label} as *{value}*. To change it, just send me the right one, for "
        'example: "fix {field}: …".',
    },
    "same_as_yours": {
        "pt": "Anotei o mesmo que o seu: {value}.",
        "en": "Noted, the same as yours: {value}.",
    },
    "not_yours_yet": {
        "pt": "Ainda não anotei o seu, então não tenho como repetir.",
        "en": "I don't have yours yet, so I can't copy it.",
    },
    "not_on_file": {
        "pt": "Por aqui ainda não tenho {label}: o que foi passado em outro lugar (ao vendedor, "
        "no contrato, por e-mail) não chega até mim.",
        "en": "I don't have {label} here yet: what was given elsewhere (to a salesperson, in "
        "the contract, by e-mail) doesn't reach me.",
    },
    "read_back_none": {
        "pt": "Ainda não anotei {label}: essa pergunta ainda vai chegar.",
        "en": "I don't have {label} yet: that question is still to come.",
    },
}
