<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0"
  xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>adresses_cadastre</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description>
    <se:Title>Points adresse, champs complets (membres)</se:Title>
    <se:Abstract>Un petit point par adresse de la BAN ; le numéro et son indice de répétition aux grandes échelles.</se:Abstract>
   </se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>adresse</se:Name>
     <se:Description><se:Title>Adresse</se:Title></se:Description>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>circle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#7b3294</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">0.8</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>5</se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>numeros</se:Name>
     <se:Description><se:Title>Numéro et indice (au-delà du 1:1 500)</se:Title></se:Description>
     <se:MaxScaleDenominator>1500</se:MaxScaleDenominator>
     <se:TextSymbolizer>
      <se:Label><ogc:PropertyName>numero</ogc:PropertyName> <ogc:PropertyName>rep</ogc:PropertyName></se:Label>
      <se:Font>
       <se:SvgParameter name="font-family">DejaVu Sans</se:SvgParameter>
       <se:SvgParameter name="font-size">9</se:SvgParameter>
      </se:Font>
      <se:LabelPlacement>
       <se:PointPlacement>
        <se:AnchorPoint><se:AnchorPointX>0.5</se:AnchorPointX><se:AnchorPointY>0</se:AnchorPointY></se:AnchorPoint>
        <se:Displacement><se:DisplacementX>0</se:DisplacementX><se:DisplacementY>5</se:DisplacementY></se:Displacement>
       </se:PointPlacement>
      </se:LabelPlacement>
      <se:Halo>
       <se:Radius>1.2</se:Radius>
       <se:Fill><se:SvgParameter name="fill">#ffffff</se:SvgParameter></se:Fill>
      </se:Halo>
      <se:Fill><se:SvgParameter name="fill">#7b3294</se:SvgParameter></se:Fill>
     </se:TextSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
