"""The safety screen's Spanish: risk to life as clients write it, and the idioms that are not.

Written for how Spanish speakers in the region text: no accents or some (the normalised text
has none: ``está`` is ``esta``, ``año`` is ``ano``), SMS spelling (``q``, ``xq``, ``kiero``),
Mexican and Central American usage, and English words mixed in ("mi boyfriend me pego"). The
idioms of death are everyday speech ("me muero de hambre", "me mata el dolor de muela"):
hunger and cold are needs, taken out here so that the NLU answers them. The groups and cues
work as in :mod:`bot.safety.en`.
"""

from __future__ import annotations

from bot.safety.patterns import Patterns, clear_groups

_QUIERO = (
    r"(?:quiero|kiero|qiero|quisiera|keria|queria|voy a|vo a|voa|pienso|estoy pensando en|"
    r"tengo ganas de|ganas de|me dan ganas de|me gustaria|necesito|prefiero|deseo|ya quiero)"
)
# Partners and strangers: "mi mama me va a matar" is mostly a figure of speech, as in English.
_PARTNER = (
    r"(?:el|ella|alguien|un (?:tipo|vato|hombre|senor|bato)|unos (?:tipos|vatos|batos)|"
    r"mi (?:pareja|esposo|esposa|marido|mujer|novio|novia|ex|boyfriend|bf|gf|viejo|vieja|"
    r"padrastro|chavo|chava|morro|morra))"
)
_WEAPON = r"(?:cuchillo|navaja|pistola|arma|fusca|cuete|machete|bate|tubo|escopeta|rifle|filero)"
_PILLS = r"(?:pastillas|pildoras|medicinas|medicamentos|tabletas|pastis)"
# "mi mama me va a matar" is a figure of speech: a threat to kill counts when no relative says it.
_FAMILY = (
    "mama",
    "mami",
    "ama",
    "jefa",
    "jefe",
    "papa",
    "papi",
    "apa",
    "abuela",
    "abuelita",
    "abuelo",
    "tia",
    "tio",
    "maestra",
    "maestro",
    "profe",
    "hermana",
    "hermano",
    "esposa",
    "suegra",
    "papas",
    "jefes",
    "padres",
    "abuelos",
    "tios",
    "hermanos",
    "maestros",
    "suegros",
)
_NOT_FAMILY = "".join(f"(?<!{word} )" for word in _FAMILY)
# ... nor what a relative said: "mi papa dijo que me iba a matar si choco el carro".
_NOT_SAID_BY_FAMILY = "".join(
    f"(?<!{word} {said} {that} )"
    for word in _FAMILY
    for said in ("dijo", "dice")
    for that in ("que", "q")
)
_ME_HURTS = (
    r"(?:pegando|golpeando|pateando|ahorcando|estrangulando|ahogando|asfixiando|apunalando|"
    r"amenazando|siguiendo|persiguiendo|violando|arrastrando|jalando|empujando|aventando)"
)

# What weighs on a client without being a person: money, papers, work and school. "La renta me
# esta ahorcando", "me quieren matar con la renta", "los biles me van a matar": figures of speech,
# as "rent is killing me" is in English. A person who threatens stays a threat: "el casero me
# quiere matar" and "los de la chamba me van a matar" are read by VIOLENCE, since only the burden
# itself as the subject or the means counts, never "los de" or "el del" it.
_BURDEN = (
    r"(?:renta|rent|deudas?|biles|bills?|cuentas|cobros?|recargos|multas?|tickets?|intereses|"
    r"eviccion|desalojo|prestamos?|impuestos|taxes|gastos|precios|pagos|recibos?|tarea|"
    r"examen|examenes|chamba|trabajo|escuela|semestre|papeleo|tramites)"
)
_THE_BURDEN = (
    r"(?<!\bde )(?<!\bdel )\b(?:el|la|los|las|mi|mis|esta|este|esa|ese|esas|esos|una|un|su|sus|tanta|"
    rf"tantas|tanto|tantos) (?:(?:pinche|pinches|maldita|maldito|mentada|mentado|bendita|bendito|"
    rf"tanta|tantas|nueva|nuevo|alta|alto) )?{_BURDEN}\b"
)
_MONTHS = r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)"
_CHOKE = (
    r"(?:matar|ahorcar|ahogar|asfixiar|matando|ahorcando|ahogando|asfixiando|mata|matan|ahorca|"
    r"ahorcan|ahoga|ahogan|asfixia|asfixian|ahorco|ahogo|mato)"
)

IDIOMS = [
    rf"\b(?:me|nos) (?:quiere |quieren |va a |van a |esta |estan )?{_CHOKE} con {_THE_BURDEN}",
    rf"{_THE_BURDEN}(?: (?:atrasad[oa]s?|de \w+|y (?:el|la|los|las|mis) \w+))? (?:me|nos) "
    rf"(?:(?:va|van|esta|estan) (?:a )?)?{_CHOKE}\b",
    rf"\b(?:me|nos) (?:va|van|esta|estan) (?:a )?{_CHOKE} {_THE_BURDEN}",
    # "mis hijos me van a matar de un coraje", "el mundial me va a matar de nervios".
    r"\b(?:matar|mata|matan|mato) (?:de|del) (?:un |una )?(?:coraje|corajes|nervios|susto|disgusto|"
    r"disgustos|risa|hambre|cansancio|aburrimiento|tristeza|verguenza|preocupacion|angustia)\b",
    # Prices that shoot up, overdoses of work, pests, drinks and kitchen cuts.
    r"\b(?:me |nos |le )?(?:dispararon|disparo|disparan) (?:la|el|los|las) (?:renta|rent|bil|biles|"
    r"bills?|precios?|cuentas?|recibos?|luz|seguro|aseguranza)\b",
    r"\bsobredosis de (?:chamba|trabajo|cafe|cafeina|azucar|dulces?|tele|netflix|tarea|estudio|"
    r"series|juegos|redes)\b",
    r"\bmatar (?:a )?(?:las|los|unas|unos) (?:cucarachas|ratas|ratones|chinches|pulgas|moscas|"
    r"zancudos|hormigas|plagas|piojos|mosquitos)\b",
    r"\bme (?:tome|tomo|he tomado) (?:muchas|todas|varias|unas|un monton de|\d+) (?:cervezas|chelas|"
    r"copas|tragos|caguamas|sodas|cafes|cocas)\b",
    r"\bme (?:corte|cortaba|corto) (?:el dedo|un dedo|los dedos|la mano (?:con|cocinando|picando|"
    r"en (?:el|la)))\b",
    r"\b(?:me )?(?:muero|muriendo|morir|moriria|moria|morimos|mueren|muere) de (?:la )?(?:hambre|"
    r"frio|sueno|cansancio|risa|verguenza|calor|ganas|aburrimiento|sed|nervios|pena|envidia|"
    r"amor|gusto|tristeza|coraje|flojera)\b",
    r"\b(?:muert[oa]s?|muriendo) de (?:hambre|frio|sueno|cansancio|risa|verguenza|calor|sed|"
    r"aburrimiento|miedo)\b",
    r"\b(?:me|nos) (?:muero|morimos|muera) por\b|\bde muerte\b|\bmatar el (?:tiempo|hambre|rato)\b",
    r"\b(?:me|nos|te) (?:mata|matan|esta matando|estan matando) (?:el|la|los|las|mi|mis) "
    r"(?:dolor|muela|muelas|cabeza|espalda|renta|trabajo|pies|calor|frio|deudas|biles|bills|"
    r"cuentas|rodilla|rodillas|panza|estomago|hambre|chamba|escuela|tarea|pies|jefe|jefa)\b",
    r"\b(?:me|nos) (?:mata|matan) (?:de|con) (?:risa|hambre|cansancio|trabajo|la renta|las deudas)\b",
    r"\bme mato (?:de risa|trabajando|estudiando|en la chamba|en el trabajo)\b",
    r"\b(?:el|la|los|las|mi|mis|esta|este|esa|ese) (?:dolor|muela|muelas|cabeza|espalda|renta|trabajo|"
    r"pies|calor|frio|deudas|biles|bills|cuentas|chamba|escuela|tarea|jefe|jefa|trafico|trafico|"
    r"semestre|examen|examenes|hambre) (?:me|nos) (?:mata|matan|esta matando|estan matando|va a matar)\b",
    r"\b(?:estoy|ando|andamos|estamos) (?:bien )?muert[oa]s?\b(?! (?:por dentro|en vida))",
    r"\bme (?:corte|corto|cortaron) (?:el pelo|el cabello|las unas|el fleco)\b",
    r"\bme (?:ahorca|aprieta|ahoga) (?:la|el) (?:corbata|camisa|ropa|pantalon|uniforme|cuello de)\b",
    r"\b(?:casi|ya mero) me (?:da|dio) un (?:infarto|paro)\b|\bme va a dar un (?:infarto|paro)\b",
    r"\b(?:muero|morir|muriendo|muerto|muerta) (?:del|de la) (?:cansancio|sueno|hambre|frio|risa|"
    r"verguenza|calor|flojera)\b",
    r"\b(?:emergencia|urgencia) (?:de|para) (?:comida|renta|vivienda|albergue|dinero|ropa|"
    r"dentista|dental)\b|\bsala de (?:emergencia|urgencias)\b|\bno es (?:una )?emergencia\b|"
    r"\burgent care\b",
    r"\bse (?:me )?(?:murio|muere|esta muriendo) (?:el|mi) (?:cel|celular|telefono|fon|phone|"
    r"bateria|carro|troca)\b|\bsin pila\b",
    r"\bpresion de la sangre\b|\bpresion arterial\b|\bexamen de sangre\b|\banalisis de sangre\b",
]

NEGATED = [
    r"\bno (?:me )?(?:quiero|voy a|pienso) (?:morir|matar(?:me)?|suicidar(?:me)?|hacer(?:me)? dano)\b",
    r"\bno (?:soy|estoy) suicida\b|\bno (?:tengo|es) (?:pensamientos|ideas) (?:de|suicidas)\b",
]

# What denies a clear pattern said just after it ("nadie me esta pegando", "ya no tiene la
# pistola"), as in English. Never "no" alone: "no, me esta pegando" answers "¿estás a salvo?"
# with danger, and the screen reads the words without their commas.
NEGATORS = [
    r"(?:nadie|nunca|jamas|tampoco|ya no)(?: (?:me|nos|esta|estan|anda|andan|lo|la|le)){0,2}",
]

SELF_HARM_INTENT = [
    rf"\b(?:me )?{_QUIERO} (?:me )?(?:morir(?:me)?(?! (?:si|cuando|de|del)\b)|matar(?:me)?|suicidar(?:me)?|"
    r"quitar(?:me)? la vida|acabar con (?:todo|mi vida|esto)|ahorcar(?:me)?|colgar(?:me)?|"
    r"cortar(?:me)? (?:las venas|los brazos|las munecas)|aventar(?:me)? (?:del|de un|de una|al|a)|"
    r"tirar(?:me)? (?:del|de un|de una|al|a)|desaparecer para siempre|dejar de existir|"
    r"dormir (?:y no despertar|para siempre))\b",
    r"\bme (?:quiero|kiero) morir\b(?! (?:si|cuando|de|del)\b)",
    r"\bme (?:quiero|kiero|voy a|vo a) (?:matar|suicidar|quitar la vida|ahorcar|colgar|"
    r"cortar las venas|aventar|tirar)\b",
    # Not someone else's threat ("me amenazo con matarme": VIOLENCE reads it).
    r"(?<!amenazo con )(?<!amenaza con )(?<!amenazaba con )(?<!amenazando con )"
    r"\b(?:matarme|suicidarme|quitarme la vida|ahorcarme|colgarme)\b",
    r"\bme mato(?: (?:hoy|ya|esta noche|ahorita|ahora|mejor))? $",
    r"\b(?:soy|estoy|me siento|ando) suicida\b|\bpensamientos (?:suicidas|de (?:suicidio|matarme|"
    r"morir))\b|\bpensando en (?:el )?suicid\w*\b|\bsuicidarme\b",
    r"\b(?:ya )?no (?:quiero|kiero|qiero|deseo|aguanto) (?:vivir|seguir viviendo|seguir|estar aqui|"
    r"estar viv[oa]|despertar|existir)\b(?! (?:en|asi|con|aqui|ahi|alli|mas con|de|por|aca)\b)",
    r"\bno (?:vale la pena|tiene sentido|le veo sentido a) (?:vivir|la vida|seguir viviendo|seguir)\b",
    r"\b(?:mejor|preferiria) (?:estar|estaria|estuviera) muert[oa]\b|\bestarian mejor sin mi\b|"
    r"\bmejor (?:sin mi|me muero)\b",
    r"\bojala (?:me muera|me muriera|estuviera muert[oa]|no despierte|no despertar|ya no despertar)\b",
    r"\bme (?:corte|estoy cortando|volvi a cortar|corto) (?:las venas|los brazos|el brazo|"
    r"las munecas|la muneca|las piernas|la pierna|otra vez|de nuevo|a proposito)\b",
    r"\b(?:cortarme|lastimarme|hacerme dano|quemarme)\b(?! (?:el pelo|el cabello|las unas))",
    r"^ (?:ya )?me (?:corte|volvi a cortar|estoy cortando)(?: (?:otra vez|de nuevo|ayer|anoche|"
    r"hoy|ahorita))? $",
    r"\bme (?:tome|trague|voy a tomar|quiero tomar) (?:todas (?:las|mis)|muchas|un (?:bote|frasco) "
    rf"de|un monton de|\d+) (?:\w+ )?{_PILLS}?\b",
    rf"\b(?:tengo|tengo listas?|ya tengo|compre|junte|guarde) (?:las |la |el |una |un |mis )?"
    rf"(?:{_PILLS}|soga|cuerda|pistola|arma|veneno)\b.*\b(?:lista|listo|listas|esta noche|hoy|"
    r"para (?:matarme|acabar|hacerlo))\b",
    r"\b(?:esta es mi|mi) (?:despedida|ultima noche|ultimo mensaje)\b|\badios para siempre\b|"
    r"\bcartas? de despedida\b",
    r"\bya no (?:voy a estar|me van a ver|estare)\b|\bno me (?:van a|volveran a) ver (?:mas|nunca)\b",
    r"\b(?:me voy a aventar|me aviento|me tiro|me voy a tirar) (?:del|de un|de una|al|a las vias|"
    r"enfrente)\b",
    r"\b(?:me voy a tomar|me tomo|me tome|me las voy a tomar|tomarme) (?:todo|todas|todo el "
    r"(?:bote|frasco)|el bote|el frasco)\b",
    r"\bpa(?:ra)? no despertar\b|\bno despertar (?:mas|nunca)\b|\bme tome (?:veneno|cloro|raticida)\b",
    r"\badios a todos\b|\bperdon a todos\b|\bme voy a ir con (?:dios|mi \w+) (?:esta noche|hoy)\b",
    r"\bme (?:estoy|voy a) (?:quemando|quemar|cortando|cortar) (?:el|los|la|las|mi|mis) "
    r"(?:brazo|brazos|pierna|piernas|muneca|munecas|cuerpo)\b",
    r"\b(?:estoy|ando) (?:en|parad[oa] en|sentad[oa] en) (?:las vias|la orilla|el puente|la azotea|"
    r"el techo|el borde)\b",
    r"\bhacerme algo\b|\bme corte (?:muy )?(?:hondo|profundo)\b",
    rf"\btengo (?:el|la|las|los|una|un|mi|mis|todas las) (?:{_PILLS}|cuchillo|pistola|arma|navaja|"
    r"soga|cuerda|veneno)\b.*\b(?:en la mano|en el cuello|cargad[oa]|list[oa]s?|en mi|usar)\b",
    r"\b(?:irme|me voy) de este mundo\b|\bregale (?:mis|todas mis) cosas\b|\b(?:hoy|manana) es mi "
    r"ultimo dia\b|\bcartas? (?:a|para) (?:mis|todos|mi familia)\b|\bme dicen (?:que|q) me mate\b",
    r"\b(?:prender|encender|dejar prendido) el carro en el (?:garage|garaje|cochera)\b",
    r"\b(?:sobredosis) (?:a proposito|para morir)\b|\bcomo (?:matarme|suicidarme|morir rapido)\b|"
    rf"\bcuantas {_PILLS} (?:para|se necesitan)\b",
]

SELF_HARM_OTHERS = [
    r"\bsuicid(?:io|ios|a|as|arse|arme|o)\b|\bsobredosis\b|\bautolesion\w*\b",
    r"\bse (?:quiere|va a|piensa) (?:matar|suicidar|quitar la vida)\b|\bse quiere morir\b",
    r"\bse (?:mato|suicido|quito la vida|ahorco|colgo)\b",
    r"\bse (?:esta cortando|corta|corto) (?:las venas|los brazos)\b",
]

VIOLENCE = [
    rf"\bme (?:esta|estan|sigue|anda|andan) {_ME_HURTS}\b",
    rf"\b{_PARTNER} (?:me )?(?:esta|estan) {_ME_HURTS}(?: me)?\b",
    # A threat to kill is danger, unless a relative says it ("mi hermana me quiere matar porque le
    # rompi el celular", "mi mama me amenazo con matarme si repruebo"): then it is uncertain.
    _NOT_FAMILY + r"\bme (?:quiere|quieren|amenazo con|amenaza con|dijo que me (?:iba|va) a) "
    r"(?:matar|apunalar|acuchillar|disparar|balacear|violar|ahorcar|estrangular|ahogar)\b",
    # "me amenazo con matarme esta noche": a threat, not the writer's wish (danger, not self-harm).
    _NOT_FAMILY + r"\bme (?:amenazo|amenaza|amenazaba|esta amenazando) con "
    r"(?:matarme|matarnos|apunalarme|acuchillarme|dispararme|ahorcarme|estrangularme)\b",
    _NOT_FAMILY + _NOT_SAID_BY_FAMILY + r"\b(?:me|nos) (?:va|van|iba|iban) a "
    r"(?:matar|pegar|golpear|violar|apunalar)\b",
    _NOT_FAMILY + r"\b(?:dice|dijo) (?:que|q) (?:me|nos) (?:va|van|iba|iban) a "
    r"(?:matar|pegar|golpear)\b",
    r"\bme (?:arrastro|jalo|agarro) (?:del|de los) (?:pelo|cabello|pelos)\b",
    r"\bme (?:pegan|golpean|patean) (?:ahorita|ahora|ya)\b|\bme pega y no para\b",
    rf"\b{_PARTNER} (?:me|nos) (?:va|van|quiere|quieren) (?:a )?(?:matar|apunalar|acuchillar|"
    r"disparar|balacear|violar)\b",
    rf"\b(?:tiene|trae|saco|sacaron|con|agarro|tienen|traen) (?:un |una |el |la |su )?{_WEAPON}\b",
    rf"\bme (?:apunto|amenazo|amenazaron) con (?:un |una |el |la |su )?{_WEAPON}\b",
    r"\bme (?:acaba|acaban) de (?:pegar|golpear|patear|apunalar|acuchillar|violar|asaltar|"
    r"atacar|disparar)\b",
    r"\bme (?:apunalaron|apunalo|acuchillaron|acuchillo|balacearon|balaceo|dispararon|disparo|"
    r"violaron|violo|secuestraron|secuestro|drogaron|drogo|asaltaron|atacaron|golpearon)\b",
    r"\b(?:balacera|disparos|balazos|estan disparando)\b",
    r"\bme (?:pego|golpeo|pateo) (?:en la panza|en el estomago|y estoy embarazada|muy fuerte|"
    r"hace rato|ahorita)\b",
    r"\bme (?:esta|estan) (?:buscando|esperando) (?:para|pa) (?:matarme|golpearme|pegarme)\b",
    r"\bviene (?:para aca|pa ca|en camino) (?:a|para|pa) (?:matarme|pegarme|golpearme)\b",
]

STRANGULATION = [
    r"\bme (?:ahorco|ahorca|ahorcaba|estrangulo|estrangula|estrangulaba|asfixio|asfixia|sofoco)\b",
    r"\bme (?:apreto|agarro|aprieta|agarra) (?:del|el) cuello\b|\b(?:manos|mano) en mi cuello\b",
    r"\b(?:trato|intento) de (?:ahorcarme|estrangularme|matarme|ahogarme|asfixiarme)\b",
    r"\bme (?:ahogo|ahogaba) con (?:sus|las) manos\b",
]

UNSAFE = [
    r"\b(?:estoy|estamos) en peligro\b|\bno (?:estoy|estamos) a salvo\b",
    r"\bno me (?:deja|dejan|quiere dejar) (?:salir|ir|irme)\b|\bme (?:tiene|tienen) encerrad[oa]s?\b|"
    r"\bme encerro\b|\bestoy encerrad[oa]\b",
    r"\b(?:esta|estan) (?:afuera|afuera de|en) (?:de )?(?:mi|la) (?:puerta|casa|ventana|cuarto|depa|"
    r"apartamento|trailer)\b",
    r"\b(?:esta|estan) (?:tocando|golpeando|pateando|tumbando|rompiendo) (?:la|mi) (?:puerta|ventana)\b",
    r"\b(?:se metio|se metieron|entro|entraron|se quiere meter) (?:a|en) (?:mi|la) (?:casa|cuarto|"
    r"depa|apartamento|carro)\b",
    r"\bme (?:esta|estan) (?:siguiendo|persiguiendo)\b",
    r"\b(?:escondida|escondido|me escondi|estoy escondid[oa]) (?:en|de|debajo)\b",
    r"\btengo miedo (?:de )?que me (?:mate|maten|pegue|peguen|haga algo|lastime)\b",
    r"\btemo por mi vida\b|\bcorro peligro\b|\bcorremos peligro\b",
    r"\b(?:me )?(?:dejo|tiene|tienen|estoy|estamos) (?:encerrad|secuestrad)[oa]s?\b|"
    r"\bme (?:quieren|quiere) secuestrar\b|\b(?:estan|esta) robando en (?:mi|la) casa\b",
    r"\b(?:el|ella|mi (?:esposo|esposa|pareja|novio|novia|ex|marido|boyfriend)) (?:esta|sigue) "
    r"(?:aqui|aki|aca|en la casa|afuera|adentro)\b",
]

CALL_FOR_HELP = [
    r"(?<!amenaza con )(?<!amenazo con )\b(?:llamen|llama|llamar|manden|mande) (?:a )?(?:la )?"
    r"(?:policia|ambulancia|paramedicos|bomberos|patrulla)\b",
    r"\bmanden ayuda\b|\bauxilio\b|\bsocorro\b|^ (?:ayuda ?){2,}$|\bayuda(?:me)? (?:ya|rapido|"
    r"urgente|por favor rapido)\b",
    r"^ (?:es )?(?:una )?emergencia(?: (?:ayuda|por favor|porfa|ya|rapido))* $|\bemergencia medica\b",
    # Fire and gas: get out and call, the danger reply.
    r"\b(?:hay|es) (?:un )?(?:incendio|fuego)\b|\bse (?:esta )?quemando (?:la|mi) casa\b|"
    r"\bhuele (?:mucho )?a gas\b|\bfuga de gas\b",
]

MEDICAL = [
    r"\bno (?:respira|esta respirando|puede respirar|puedo respirar|reacciona|responde|despierta|"
    r"se mueve)\b",
    r"\b(?:esta|quedo) (?:inconsciente|morad[oa]|azul)\b|\bse (?:desmayo|desvanecio)\b.*\bno\b",
    r"\b(?:sangra|esta sangrando|sangrando) (?:mucho|bien feo|sin parar|un chingo)\b|"
    r"\bmucha sangre\b|\bno (?:para|deja) de sangrar\b",
    r"\b(?:convulsion\w*|esta convulsionando|infarto|derrame)\b|"
    r"\bdolor (?:muy )?(?:fuerte )?(?:de|en el) pecho\b|\bdesangr\w+\b|\bsin respirar\b|"
    r"\bse me (?:esta )?cerrando la garganta\b|\bse esta muriendo\b",
    r"\bse (?:esta )?(?:ahogando|atraganto|atragantando)\b|\bse ahoga\b",
    r"\bse (?:tomo|trago) (?:todas (?:las|sus)|muchas|un (?:bote|frasco) de|un monton de) "
    rf"(?:\w+ )?{_PILLS}?\b",
    r"\b(?:se paso|se le paso|le dio una) (?:sobredosis|de fentanyl|de fenta|de perico)\b",
    r"\bno se (?:puede|pueden) mover\b|\bsangrando de la cabeza\b",
    r"\bme (?:atropello|atropellaron)\b|\b(?:lo|la) (?:atropello|atropellaron)\b",
    r"\b(?:se cayo|se pego) (?:y )?(?:en|de) la cabeza\b.*\b(?:sangra|vomita|no despierta|no reacciona)\b",
    r"\b(?:tuvimos|tuve|hubo) un (?:choque|accidente)\b",
]

UNCERTAIN_SELF_HARM = [
    r"\b(?:ya )?no (?:aguanto|puedo) (?:mas|ya)\b|\bya no puedo\b|\bno aguanto\b",
    r"\bestoy (?:harto|harta|cansad[oa]) de (?:la vida|vivir|todo)\b",
    r"\bpara que (?:vivir|seguir)\b|\bnada tiene sentido\b|\bme (?:quiero|kiero) desaparecer\b",
    r"\bodio mi vida\b|\bme odio\b|\bsoy una carga\b|\bnadie me (?:extranaria|va a extranar)\b",
    r"\bno quiero vivir\b|\bayudenme\b",
    r"\bme (?:quiero|kiero) morir\b",  # as often "de verguenza": the idioms take that out first
    r"\bme voy a morir\b|\bsiento que me muero\b|\bme corte\b",
]

UNCERTAIN_DANGER = [
    r"\b(?:me|nos) (?:va|van) a matar\b",  # "mi mama me va a matar": mostly a figure of speech
    r"\bme (?:amenazo|amenazaba|esta amenazando) con\b|\bme (?:quiere|quieren) matar\b",
    r"\b(?:dice|dijo) (?:que|q) (?:me|nos) (?:va|van|iba|iban) a matar\b",
    r"\bme (?:pega|golpea|patea|ahorca|amenaza|jalonea|empuja)\b",
    r"\b(?:emergencia|urgente|urgencia)\b",
    r"\btengo miedo\b|\bno me siento segur[oa]\b|\bmiedo de (?:el|ella|mi)\b",
    r"\bme (?:mata|matan|esta matando)\b",
    r"\bsangre\b|\bsangrando\b|\bfuego\b|\bincendio\b",
    r"\bme (?:pego|golpeo|pateo|empujo|cacheteo)\b",
]

CUES = {
    "years_ago": [
        r"\bhace (?:\d+|unos|muchos|varios|dos|tres|cuatro|cinco|un par de) anos\b|"
        r"\bel ano pasado\b|\bhace (?:mucho|muchisimo|anos)\b",
        r"\bde (?:nino|nina|chico|chica|adolescente|chamaco|chamaca|morro|morra|chavo|chava)\b",
    ],
    "long_ago": [
        r"\bhace (?:\d+|unos|muchos|varios|dos|tres|cuatro|cinco|un par de|mucho) "
        r"(?:anos|meses|tiempo)\b",
        r"\bel ano pasado\b|\bde (?:nino|nina|chico|chica|joven|adolescente|chamaco|chamaca|morro|"
        r"morra|chavo|chava|cipote|cipota)\b",
        r"\bcuando (?:era|tenia|estaba) (?:nino|nina|chico|chica|joven|adolescente|chiquit[oa]|"
        r"morr[oa]|\d+|en la prepa|en la secundaria)\b",
        r"\ben la (?:prepa|secundaria|escuela)\b|\bantes (?:yo )?(?:me|lo|la)\b",
        r"\bhace (?:mucho|muchisimo|anos|rato largo)\b|\ben (?:19|20)\d\d\b",
        # "solia" (used to), "cuando viviamos juntos": over, as "used to" and "back when" are.
        r"\bsolia\b|\bcuando (?:vivia|viviamos|estaba|estabamos|andaba|andabamos) (?:con|junt)\w*\b",
        r"\b(?:el|del) (?:verano|invierno|otono) pasado\b|\bla navidad pasada\b|"
        r"\bdesde (?:19|20)\d\d\b|\bcicatri(?:z|ces)\b|\b\d+ (?:anos|meses) (?:limpi|sobri)[oa]\b",
    ],
    "weeks_ago": [
        r"\b(?:la|de la) semana pasada\b|\b(?:el|del|al) mes pasado\b|\bel otro dia\b",
        r"\bhace (?:\d+|unos|varios|dos|tres|un par de|unas) (?:dias|semanas)\b",
        # "hace una semana", "el fin de semana pasado", "en enero", "hace un mes", "la herida de
        # cuando me dispararon": over. Not long_ago, which also makes a wish to die a question:
        # "hace meses" is as often how long ("estoy en la calle hace meses, ya no quiero vivir").
        r"\bhace (?:un|una) (?:ano|mes)\b|\bhace meses\b|\b(?:del|al) ano pasado\b|\bde cuando\b|"
        rf"\bhace una semana\b|\bel fin(?: de semana)? pasado\b|\ben {_MONTHS}\b|"
        rf"\ba (?:principios|finales|mediados) de (?:mes|semana|{_MONTHS})\b",
    ],
    "recovery": [
        r"\b(?:ya|ahora) (?:estoy|me siento|ando) (?:bien|mejor|a salvo|tranquil[oa])\b",
        r"\b(?:estoy|llevo) limpi[oa]\b|\bya no (?:lo hago|me corto|tomo|uso|me drogo)\b|"
        r"\bsobreviviente\b",
        r"\bsobrevivi\b|\bya me recupere\b|\ben recuperacion\b|\bno (?:estoy|estamos) en peligro\b|"
        r"\b(?:ya|y) (?:estamos|estoy) (?:bien|a salvo)\b|\bdeje de (?:cortarme|usar|tomar|drogarme)\b|"
        r"\b(?:esta|ya esta) (?:en la carcel|pres[oa]|en prision|deportad[oa])\b",
    ],
    "grief": [
        r"\b(?:se murio|murio|fallecio|fallecimiento|funeral|velorio|luto|duelo|perdi a mi)\b",
        r"\bse (?:mato|suicido|quito la vida|ahorco)\b",
    ],
    # As in English: the media, study and training the words are about, and a question of what
    # to do if it happens ("que hago si alguien tiene una sobredosis").
    "topic": [
        r"\b(?:linea|prevencion|concientizacion|pelicula|peli|serie|novela|telenovela|noticias|"
        r"noticiero|documental|clase|curso|capacitacion|entrenamiento|taller|estadisticas|tasas?|"
        r"investigacion|podcast|articulo|ensayo|reportaje|voluntari\w*|cancion|letra|juego|juegos|"
        r"videojuegos?|libro)\b",
        r"\bprimeros auxilios\b|\bproyecto (?:de|para|pa) (?:la )?(?:escuela|clase)\b",
        r"\b(?:que (?:hago|hacemos|debo hacer|se hace) si|que pasa si|como (?:ayudo|ayudar|puedo "
        r"ayudar) a|senales de|como (?:se|saber|se sabe) si|en caso de|si alguien)\b",
    ],
    # As in English: only someone else's risk reads it (bot.safety.patterns).
    "asked_about": [
        r"\b(?:estudio|estudiando) (?:psicologia|enfermeria|medicina|trabajo social)\b|"
        r"\bsoy (?:enfermer[oa]|paramedico|doctor|doctora|maestr[oa]|trabajador[a]? social|"
        r"consejer[oa])\b|\b(?:son|es) (?:solo |nomas )?(?:pa|para) (?:emergencias|casos)\b",
    ],
    "care": [
        r"\b(?:cita|receta|medicina para|checar|chequeo|seguro|aseguranza|terapia fisica|"
        r"todavia me duele|sigue doliendo)\b",
        r"\bya (?:fui|fuimos) (?:al|a la) (?:er|doctor|medico|hospital|clinica|emergencia)\b|"
        r"\bya (?:me|lo|la|le) (?:vieron|revisaron|atendieron)\b|\b(?:me|le|nos) dieron de alta\b|"
        r"\b(?:sali|salio) del hospital\b|\bseguimiento\b|\bdoctor de cabecera\b",
    ],
    "laugh": [r"\b(?:ja(?:ja)+|je(?:je)+|js(?:js)+|xd|lol|jsjs)\b"],
    "present": [
        r"\b(?:ahorita|ahora mismo|en este momento|esta noche|otra vez|de nuevo|ya mero|todavia "
        r"(?:quiero|pienso)|aqui esta|esta aqui|esta afuera|viene para aca)\b",
    ],
}

PATTERNS = Patterns(
    language="es",
    idioms=IDIOMS,
    negated=NEGATED,
    negators=NEGATORS,
    clear=clear_groups(
        {
            "violence": VIOLENCE,
            "strangulation": STRANGULATION,
            "unsafe": UNSAFE,
            "call": CALL_FOR_HELP,
            "medical": MEDICAL,
            "self_harm": SELF_HARM_INTENT,
            "self_harm_others": SELF_HARM_OTHERS,
        },
        # Said of someone else, an overdose or an attempt some weeks ago, or one a hospital has
        # seen to, is a question, as in English (the Spanish training data's false alarms: "tuve
        # una sobredosis hace 2 semanas, ya sali del hospital y quiero entrar a tratamiento").
        cues={
            "self_harm_others": (
                "long_ago",
                "weeks_ago",
                "recovery",
                "grief",
                "topic",
                "laugh",
                "care",
                "asked_about",
            )
        },
    ),
    uncertain={"danger": UNCERTAIN_DANGER, "self_harm": UNCERTAIN_SELF_HARM},
    cues=CUES,
)
