"""The engine's own texts (not the flows'): explanations, interruptions, status, in pt and en."""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogue.texts_documents import DOCUMENT_TEXTS
from bot.dialogue.texts_repairs import REPAIR_TEXTS
from bot.dialogue.training.texts import TRAINING_TEXTS

TEXTS: dict[str, dict[str, str]] = {
    # Validator problems: specific explanations, never a generic error.
    "cnpj_empty": {
        "pt": "Não encontrei um CNPJ na sua mensagem.",
        "en": "I couldn't find a CNPJ in your message.",
    },
    "cnpj_characters": {
        "pt": "O CNPJ só tem letras e números (a pontuação é opcional).",
        "en": "A CNPJ has only letters and digits (punctuation is optional).",
    },
    "cnpj_length": {
        "pt": "O CNPJ tem 14 dígitos; o seu tem {length}.",
        "en": "A CNPJ has 14 characters; yours has {length}.",
    },
    "cnpj_check_digits": {
        "pt": "Esse CNPJ não é válido: os dígitos verificadores (os 2 últimos) não conferem. "
        "Confira se não trocou algum número.",
        "en": "That CNPJ is not valid: the check digits (the last 2) don't match. "
        "Please check for a mistyped digit.",
    },
    "company_name_short": {
        "pt": "A razão social precisa ter pelo menos 2 letras.",
        "en": "The company name needs at least 2 letters.",
    },
    "company_name_long": {
        "pt": "A razão social pode ter no máximo {max} caracteres.",
        "en": "The company name can have at most {max} characters.",
    },
    "person_name_short": {
        "pt": "O nome precisa ter pelo menos 2 letras.",
        "en": "The name needs at least 2 letters.",
    },
    "person_name_long": {
        "pt": "O nome pode ter no máximo {max} caracteres.",
        "en": "The name can have at most {max} characters.",
    },
    "person_name_characters": {
        "pt": "O nome deve ter só letras (sem números, e-mails ou símbolos).",
        "en": "A name should contain only letters (no digits, e-mails or symbols).",
    },
    "employees_number": {
        "pt": "Não entendi o número. Responda só com a quantidade, por exemplo 45.",
        "en": "I didn't get the number. Answer with the count only, e.g. 45.",
    },
    "employees_range": {
        "pt": "O número de funcionários precisa ser pelo menos 1.",
        "en": "The number of employees must be at least 1.",
    },
    "email_missing_at": {
        "pt": "Isso não parece um e-mail: falta o @ (exemplo: maria@empresa.com.br).",
        "en": "That doesn't look like an e-mail: the @ is missing (e.g. maria@company.com).",
    },
    "email_invalid": {
        "pt": "Esse e-mail não é válido. Confira o domínio depois do @ (exemplo: "
        "maria@empresa.com.br).",
        "en": "That e-mail is not valid. Check the part after the @ (e.g. maria@company.com).",
    },
    "phone_digits": {
        "pt": "Não encontrei números. Mande o celular com DDD, por exemplo (11) 98765-4321.",
        "en": "I found no digits. Send the mobile with area code, e.g. (11) 98765-4321.",
    },
    "document_later": {
        "pt": "Combinado! Quando tiver o arquivo, é só mandar por aqui (foto ou PDF). Eu guardo "
        "o seu lugar e te lembro se demorar.",
        "en": "Sure! When you have the file, just send it here (a photo or PDF). I'll keep your "
        "place and remind you if it takes a while.",
    },
    "document_later_optional": {
        "pt": "Combinado! Quando tiver o arquivo, é só mandar por aqui (foto ou PDF). Se não "
        'tiver esse documento, diga "não tenho agora" e seguimos sem ele.',
        "en": "Sure! When you have the file, just send it here (a photo or PDF). If you don't "
        'have this document, say "not now" and we\'ll go on without it.',
    },
    "dont_know": {
        "pt": "Sem problema! Se não tiver {label} agora, pode responder depois: eu guardo o que "
        "você já respondeu e continuamos daqui quando você voltar.",
        "en": "No problem! If you don't have {label} now, you can answer later: I keep what "
        "you've answered and we'll go on from here when you're back.",
    },
    "cnpj_is_cpf": {
        "pt": "Isso parece um CPF (11 dígitos). Preciso do CNPJ da empresa, que tem 14 dígitos "
        "(se for MEI, ele está no Certificado CCMEI).",
        "en": "That looks like a CPF (11 digits). I need the company's CNPJ, which has 14 digits "
        "(for a MEI it is on the CCMEI certificate).",
    },
    "phone_not_visible": {
        "pt": "Por aqui eu não vejo o seu número. Mande o celular com DDD, por exemplo "
        "(11) 98765-4321.",
        "en": "I can't see your number here. Please send your mobile with the area code, e.g. "
        "(11) 98765-4321.",
    },
    "phone_missing_ddd": {
        "pt": "Faltou o DDD: mande o celular com os 2 dígitos da região, por exemplo "
        "(11) 98765-4321.",
        "en": "The area code (DDD) is missing: e.g. (11) 98765-4321.",
    },
    "phone_length": {
        "pt": "Um celular com DDD tem 11 dígitos; o seu tem {length}.",
        "en": "A mobile number with area code has 11 digits; yours has {length}.",
    },
    "phone_invalid": {
        "pt": "Esse número não existe no Brasil. Confira o DDD e os dígitos.",
        "en": "That is not a valid Brazilian number. Check the area code and digits.",
    },
    "phone_not_mobile": {
        "pt": "Esse número parece ser fixo. Preciso de um celular (começa com 9 depois do DDD).",
        "en": "That looks like a landline. I need a mobile (starts with 9 after the area code).",
    },
    "phone_not_brazilian": {
        "pt": "Por enquanto só aceito celulares do Brasil (+55).",
        "en": "For now only Brazilian mobiles (+55) are accepted.",
    },
    "cep_length": {
        "pt": "O CEP tem 8 dígitos; o seu tem {length}. Exemplo: 01310-100.",
        "en": "A CEP has 8 digits; yours has {length}. Example: 01310-100.",
    },
    "cep_invalid": {"pt": "Esse CEP não é válido.", "en": "That CEP is not valid."},
    "street_short": {
        "pt": "Preciso do nome da rua ou avenida.",
        "en": "I need the street name.",
    },
    "street_long": {
        "pt": "O endereço pode ter no máximo {max} caracteres.",
        "en": "The address can have at most {max} characters.",
    },
    "address_number": {
        "pt": "Mande só o número do endereço (ou S/N se não tiver).",
        "en": "Send only the street number (or S/N if there is none).",
    },
    "complement_long": {
        "pt": "O complemento pode ter no máximo {max} caracteres.",
        "en": "The complement can have at most {max} characters.",
    },
    "choice_unknown": {
        "pt": "Não entendi. Responda com o número de uma das opções:",
        "en": "I didn't get that. Answer with the number of one of the options:",
    },
    # Engine messages.
    "empty_message": {
        "pt": "Não recebi nenhum texto. 🙂",
        "en": "I didn't receive any text. 🙂",
    },
    "too_long": {
        "pt": "Sua mensagem é muito longa; considerei só o começo dela.",
        "en": "Your message is very long; I only read its beginning.",
    },
    "help": {
        "pt": "Eu cuido do seu cadastro e da implantação. A qualquer momento você pode:\n"
        '• perguntar "em que etapa estou?"\n'
        '• corrigir um dado ("errei o e-mail")\n'
        "• pedir para falar com uma pessoa (HUMANO)\n"
        "• parar as mensagens (SAIR) ou pedir a exclusão dos seus dados",
        "en": "I take care of your registration and onboarding. At any time you can:\n"
        '• ask "what stage am I in?"\n'
        '• fix an answer ("my e-mail is wrong")\n'
        "• ask for a person (HUMAN)\n"
        "• stop messages (STOP) or ask for your data to be erased",
    },
    "opted_out": {
        "pt": "Pronto, você não vai mais receber lembretes nem avisos nossos. Quando quiser "
        "continuar, é só escrever (ou mandar VOLTAR).",
        "en": "Done, you won't get reminders or notices from us any more. Whenever you want "
        "to continue, just write (or send START).",
    },
    "opted_in": {
        "pt": "Que bom que voltou! Os lembretes estão ativos de novo.",
        "en": "Welcome back! Reminders are on again.",
    },
    "confirm_erasure": {
        "pt": "Você pediu a exclusão dos seus dados (LGPD). Com isso apagaremos os dados "
        "pessoais e documentos enviados, e o cadastro não poderá continuar. Confirma? "
        "Responda SIM ou NÃO.",
        "en": "You asked for your data to be erased (LGPD). We will delete the personal data "
        "and documents you sent, and the registration cannot go on. Confirm? Answer YES or NO.",
    },
    "erasure_requested": {
        "pt": "Pedido de exclusão registrado. Um gestor vai confirmar em até 15 dias, e te "
        "avisamos do resultado por aqui.",
        "en": "Erasure request recorded. A manager will confirm it within 15 days and you will "
        "be told the outcome here.",
    },
    "erasure_cancelled": {
        "pt": "Tudo bem, não vou apagar nada.",
        "en": "All right, I won't erase anything.",
    },
    "ask_which_field": {
        "pt": "Qual informação você quer corrigir?",
        "en": "Which answer do you want to fix?",
    },
    "nothing_to_fix": {
        "pt": "Ainda não tenho nenhuma resposta sua para corrigir.",
        "en": "I don't have any answers from you to fix yet.",
    },
    "ask_new_value": {
        "pt": "Pode mandar o valor certo para: {label}",
        "en": "Please send the correct value for: {label}",
    },
    "corrected": {
        "pt": "Corrigido: {label} agora é {value}.",
        "en": "Fixed: {label} is now {value}.",
    },
    "status": {
        "pt": "Sua implantação está na etapa *{stage}*: {activity}.",
        "en": "Your onboarding is in the *{stage}* stage: {activity}.",
    },
    "status_nothing_pending": {
        "pt": "Da sua parte não falta nada agora.",
        "en": "Nothing is needed from you right now.",
    },
    "status_csm": {
        "pt": "Sua gerente de sucesso (CSM) é {csm}.",
        "en": "Your customer success manager (CSM) is {csm}.",
    },
    "status_no_csm": {
        "pt": "Um CSM da nossa equipe será designado para acompanhar você.",
        "en": "A CSM from our team will be assigned to follow your onboarding.",
    },
    "pending_registration": {
        "pt": "completar o cadastro (próxima pergunta: {count})",
        "en": "finish the registration (next question: {count})",
    },
    "pending_documents": {
        "pt": "enviar o cartão CNPJ e a CNH ou RG do responsável",
        "en": "send the CNPJ card and the CNH or RG of the person in charge",
    },
    "why_general": {
        "pt": "Peço só o que o cadastro e a implantação do sistema precisam.",
        "en": "I only ask for what the registration and the system's set-up need.",
    },
    "why_privacy": {
        "pt": "Seus dados ficam só com a nossa equipe, para isso (LGPD); para apagá-los, é só "
        'escrever "apagar meus dados".',
        "en": "Your data stays with our team, only for that (LGPD); to erase it, just write "
        '"delete my data".',
    },
    "email_typo": {
        "pt": "Será que o e-mail é *{suggestion}*? Se for, mande assim; se {email} estiver "
        "certo mesmo, é só mandar de novo.",
        "en": "Could the e-mail be *{suggestion}*? If so, send it like that; if {email} is "
        "really right, just send it again.",
    },
    "clarify_cancel": {
        "pt": "O que você quer cancelar?",
        "en": "What would you like to cancel?",
    },
    "continue_here": {
        "pt": "Claro! Vamos continuar de onde paramos:",
        "en": "Sure! Let's go on from where we left off:",
    },
    "go_back": {
        "pt": "Voltando uma pergunta: {label} está como *{value}*. Mande o valor certo, ou "
        '"está certo" para manter.',
        "en": "Going back one question: {label} is *{value}*. Send the right value, or "
        '"it\'s right" to keep it.',
    },
    "go_back_nothing": {
        "pt": "Não há uma pergunta anterior para voltar aqui. Vamos continuar:",
        "en": "There is no earlier question to go back to here. Let's continue:",
    },
    "kept_value": {
        "pt": "Certo, mantive {label}: {value}.",
        "en": "OK, I kept {label}: {value}.",
    },
    "also_noted": {
        "pt": "Anotei também {fields}.",
        "en": "I've also noted {fields}.",
    },
    "greet_again": {"pt": "Olá de novo! 👋", "en": "Hi again! 👋"},
    "thanks_reply": {"pt": "Eu que agradeço! 😊", "en": "You're welcome! 😊"},
    "goodbye_reply": {
        "pt": "Até logo! Quando quiser continuar, é só escrever por aqui.",
        "en": "Bye! Whenever you want to continue, just write here.",
    },
    "complaint": {
        "pt": "Sinto muito por isso. Registrei a sua reclamação e avisei a nossa equipe, que "
        "vai te responder por aqui.",
        "en": "I'm sorry about that. I've recorded your complaint and told our team, who will "
        "answer you here.",
    },
    "finished_menu": {
        "pt": "Seu cadastro já foi enviado e a sua implantação está na etapa *{stage}*. Como "
        "posso ajudar? Responda com o número:",
        "en": "Your registration is already in and your onboarding is in the *{stage}* stage. "
        "How can I help? Answer with the number:",
    },
    "finished_menu_hello": {
        "pt": "Olá de novo{name}! 👋 Sua implantação está na etapa *{stage}*. Como posso "
        "ajudar? Responda com o número:",
        "en": "Hi again{name}! 👋 Your onboarding is in the *{stage}* stage. How can I help? "
        "Answer with the number:",
    },
    "menu_again": {
        "pt": "Como posso ajudar? Responda com o número:",
        "en": "How can I help? Answer with the number:",
    },
    "training_not_yet": {
        "pt": "O treinamento é agendado quando a implantação chegar nessa etapa; primeiro "
        "precisamos concluir {stage}.",
        "en": "Training is scheduled once onboarding reaches that stage; first we need to "
        "finish {stage}.",
    },
    "documents_info": {
        "pt": "Vamos precisar do cartão CNPJ (PDF da Receita ou foto) e da CNH ou RG do "
        "responsável legal. Você poderá enviar as fotos por aqui depois do cadastro.",
        "en": "We will need the CNPJ card (the PDF from Receita or a photo) and the CNH or RG "
        "of the legal representative. You can send the photos here after the registration.",
    },
    "document_expected": {
        "pt": "Aqui eu preciso de um arquivo: envie a foto ou o PDF do documento.",
        "en": "Here I need a file: please send the photo or the PDF of the document.",
    },
    "document_received": {
        "pt": "Recebi o arquivo! Estou lendo o documento, te respondo em instantes. ⏳",
        "en": "Got the file! I'm reading the document and will answer in a moment. ⏳",
    },
    "document_received_early": {
        "pt": "Recebi o arquivo! Vou ler e guardar para a etapa de documentos.",
        "en": "Got the file! I'll read it and keep it for the documents step.",
    },
    "document_uncertain_mark": {"pt": "(confira)", "en": "(please check)"},
    "document_mismatch_intro": {
        "pt": "Atenção, encontrei diferenças:",
        "en": "Note, I found differences:",
    },
    "document_mismatch_escalated": {
        "pt": "Avisei a nossa equipe sobre as diferenças; uma pessoa vai conferir com você.",
        "en": "I've told our team about the differences; a person will check them with you.",
    },
    "document_retry": {
        "pt": "Tudo bem. Envie de novo, por favor: o PDF ou uma foto com o documento plano, "
        "inteiro e com boa luz.",
        "en": "All right. Please send it again: the PDF or a photo of the document flat, whole "
        "and in good light.",
    },
    "clarify": {
        "pt": "Não entendi bem. Você quis dizer:",
        "en": "I'm not sure I understood. Did you mean:",
    },
    "clarify_none": {"pt": "Nenhuma dessas", "en": "None of these"},
    "intent_ask_status": {"pt": "Saber em que etapa estou", "en": "Know my current stage"},
    "intent_help": {"pt": "Ver o que posso fazer aqui", "en": "See what I can do here"},
    "intent_request_human": {"pt": "Falar com uma pessoa", "en": "Talk to a person"},
    "intent_opt_out": {"pt": "Parar de receber mensagens", "en": "Stop receiving messages"},
    "intent_delete_data": {"pt": "Apagar meus dados", "en": "Erase my data"},
    "intent_correct_data": {"pt": "Corrigir um dado", "en": "Fix an answer"},
    "intent_complain": {"pt": "Fazer uma reclamação", "en": "Make a complaint"},
    "intent_ask_documents": {
        "pt": "Saber quais documentos enviar",
        "en": "Know which documents to send",
    },
    "intent_schedule_training": {"pt": "Agendar o treinamento", "en": "Schedule the training"},
    "intent_reschedule_training": {"pt": "Remarcar o treinamento", "en": "Reschedule the training"},
    "intent_cancel_training": {"pt": "Cancelar o treinamento", "en": "Cancel the training"},
    "intent_greet": {"pt": "Cumprimentar", "en": "Say hello"},
    "intent_thank": {"pt": "Agradecer", "en": "Say thanks"},
    "intent_goodbye": {"pt": "Encerrar por agora", "en": "Stop for now"},
    "language_switched": {
        "pt": "Certo, vamos continuar em português.",
        "en": "Sure, let's continue in English.",
    },
    "summary_fix_option": {"pt": "Corrigir algo", "en": "Fix something"},
    "summary_ok_option": {"pt": "Está tudo certo", "en": "All correct"},
    "yes": {"pt": "Sim", "en": "Yes"},
    "no": {"pt": "Não", "en": "No"},
    "empty_value": {"pt": "(nenhum)", "en": "(none)"},
    **TRAINING_TEXTS,
    **REPAIR_TEXTS,
    **DOCUMENT_TEXTS,
}


def text(key: str, language: str, *, params: Mapping[str, object] | None = None) -> str:
    """The text for ``key`` in ``language`` with ``{name}`` placeholders filled in."""
    template = TEXTS[key]["en" if language == "en" else "pt"]
    return template.format_map(_Params(params or {})) if params is not None else template


class _Params(dict[str, object]):
    """Leaves unknown placeholders as they are instead of failing."""

    def __init__(self, params: Mapping[str, object]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
