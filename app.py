print("app: coming with the web interface")
