"""The staff web app, the REST API and the petitioners' public pages (Flask); `webui.app.create_app`."""
