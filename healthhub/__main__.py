from healthhub.cli import app

app()
