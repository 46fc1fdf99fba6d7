from ninja import NinjaAPI

api = NinjaAPI(title="Libranet API", version="1", urls_namespace="api")
